/* b) b_bar moves from LIBB_1.0 to LIBB_2.0 in the rebuild; LIBB_1.0 stays defined (b_foo). */
int b_foo(void) { return 1; }
int b_bar(void) { return 2; }
int b_baz(void) { return 3; }
