#include "other.h"

int main() {
  return 0;
}
