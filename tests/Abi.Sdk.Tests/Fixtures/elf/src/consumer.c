/* consumer: links against libversioned.so. gadget (VERS_1.1) is referenced only weakly, so its
 * requirement VERS_1.1 weak (build.sh sets VER_FLG_WEAK, see mark-weak-requirement.c); frob binds to its
 * default version VERS_2.0. */
extern int frob(int, int);
extern int newer_api(void);
extern int gadget(void) __attribute__((weak));
extern int widget_count;

int use_versioned(void) { return frob(1, 2) + newer_api() + widget_count + (gadget ? gadget() : 0); }
