#include <stdio.h>
#include "myprog.h"
