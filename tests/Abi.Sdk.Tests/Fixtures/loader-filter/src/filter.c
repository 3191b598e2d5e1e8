/* A filter (linked with --filter or --auxiliary): its own definitions serve only where no filtee defines the name. */
const char *who(void) { return "filter"; }
int only_filter(void) { return 1; }
