#include "./getopt.h"
