/* The filtee: its definition of who() wins over the filter's when the loader finds it. */
const char *who(void) { return "filtee"; }
int only_filtee(void) { return 7; }
