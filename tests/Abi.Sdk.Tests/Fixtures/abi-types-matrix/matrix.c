/* One change kind per build: make-fixtures.sh compiles this file with -DK_<kind> and NEW=0 (old) or NEW=1 (new).
 * Each kind exports a function (or variable) whose types carry exactly that change. */
#ifndef NEW
#define NEW 0
#endif

#if defined(K_member_inserted_middle)
struct s { int a;
#if NEW
  int inserted;
#endif
  int b; };
int use(struct s *p) { return p->a + p->b; }

#elif defined(K_member_inserted_end)
struct s { int a; int b;
#if NEW
  int appended;
#endif
};
int use(struct s *p) { return p->a + p->b; }

#elif defined(K_member_removed)
struct s { int a;
#if !NEW
  int removed;
#endif
  int b; };
int use(struct s *p) { return p->a + p->b; }

#elif defined(K_member_type_changed)
struct s { int a;
#if NEW
  long b;
#else
  int b;
#endif
};
int use(struct s *p) { return p->a + (int)p->b; }

#elif defined(K_member_offset_changed)
struct s { char a;
#if NEW
  int b __attribute__((aligned(16)));
#else
  int b;
#endif
};
int use(struct s *p) { return p->a + p->b; }

#elif defined(K_size_changed)
struct s { int a;
#if NEW
  char name[32];
#else
  char name[16];
#endif
};
int use(struct s *p) { return p->a + p->name[0]; }

#elif defined(K_enumerator_value_changed)
enum e { E_A, E_B,
#if NEW
  E_C = 10
#else
  E_C
#endif
};
int use(enum e v) { return v == E_C; }

#elif defined(K_enumerator_removed)
enum e { E_A, E_B
#if !NEW
  , E_C
#endif
};
int use(enum e v) { return v == E_B; }

#elif defined(K_enumerator_added)
enum e { E_A, E_B
#if NEW
  , E_C
#endif
};
int use(enum e v) { return v == E_B; }

#elif defined(K_parameter_type_changed)
#if NEW
long use(long x) { return x + 1; }
#else
long use(int x) { return x + 1; }
#endif

#elif defined(K_parameter_count_changed)
#if NEW
int use(int x, int y) { return x + y; }
#else
int use(int x) { return x; }
#endif

#elif defined(K_return_type_changed)
#if NEW
long use(int x) { return x; }
#else
int use(int x) { return x; }
#endif

#elif defined(K_variable_type_changed)
#if NEW
long value = 1;
#else
int value = 1;
#endif

#elif defined(K_variable_size_changed)
#if NEW
int table[8] = { 1 };
#else
int table[4] = { 1 };
#endif

#elif defined(K_typedef_retargeted)
#if NEW
typedef long count_t;
#else
typedef int count_t;
#endif
count_t use(count_t *p) { return *p; }

#else
#error "no change kind: compile with -DK_<kind>"
#endif
