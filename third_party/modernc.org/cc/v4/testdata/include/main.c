A
B
C
#include "main.header"
X
Y
Z
