/* Types every unit of the raw-duplicate fixtures declares again: a cycle, an anonymous union, an enum, an array, a
   function pointer, qualifiers, a declaration-only struct. WORD is int unless a unit defines it otherwise, so that
   struct holder's bytes are the same in every unit while the type its member points at is not. */
#ifndef WORD
#define WORD int
#endif
typedef WORD word;
struct opaque;
enum colour { RED, GREEN = 5, BLUE = -1 };
struct node {
    struct node *next;
    const volatile char *name;
    union { int i; float f; } value;
    enum colour colour;
    unsigned flags : 3;
    short history[4];
    int (*compare)(const struct node *, const struct node *);
    struct opaque *hidden;
};
struct holder { word *p; };
typedef struct node node_t;
