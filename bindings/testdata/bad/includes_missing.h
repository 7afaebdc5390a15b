#include "nested_missing.h"
