/* A variable located by a location list (loclist.so, see make-fixtures.sh): ll_hidden is exported only as its alias
   ll_alias, so its DIE is found by address; the script rewrites its DW_AT_location into DW_FORM_loclistx through
   .debug_loclists (DW_AT_loclists_base on the unit), the form gcc and clang use for location lists. */
int ll_var = 7;
static int ll_hidden = 9;
extern int ll_alias __attribute__((alias("ll_hidden")));
int ll_get(void) { return ll_var + ll_hidden; }
