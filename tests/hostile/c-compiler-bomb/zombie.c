/* Never compiles: each macro expands to the one before it twice, so Z40 is 2^40 tokens
   long. The compiler runs out of memory or time long before it is done. */
#define Z0 x
#define Z1 Z0 Z0
#define Z2 Z1 Z1
#define Z3 Z2 Z2
#define Z4 Z3 Z3
#define Z5 Z4 Z4
#define Z6 Z5 Z5
#define Z7 Z6 Z6
#define Z8 Z7 Z7
#define Z9 Z8 Z8
#define Z10 Z9 Z9
#define Z11 Z10 Z10
#define Z12 Z11 Z11
#define Z13 Z12 Z12
#define Z14 Z13 Z13
#define Z15 Z14 Z14
#define Z16 Z15 Z15
#define Z17 Z16 Z16
#define Z18 Z17 Z17
#define Z19 Z18 Z18
#define Z20 Z19 Z19
#define Z21 Z20 Z20
#define Z22 Z21 Z21
#define Z23 Z22 Z22
#define Z24 Z23 Z23
#define Z25 Z24 Z24
#define Z26 Z25 Z25
#define Z27 Z26 Z26
#define Z28 Z27 Z27
#define Z29 Z28 Z28
#define Z30 Z29 Z29
#define Z31 Z30 Z30
#define Z32 Z31 Z31
#define Z33 Z32 Z32
#define Z34 Z33 Z33
#define Z35 Z34 Z34
#define Z36 Z35 Z35
#define Z37 Z36 Z36
#define Z38 Z37 Z37
#define Z39 Z38 Z38
#define Z40 Z39 Z39

int main(void) { int x = 0; return Z40; }
