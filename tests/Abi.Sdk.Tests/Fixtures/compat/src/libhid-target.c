int hid_a_old(void) { return 1; }
int hid_b_new(void) { return 2; }
int hid_other(void) { return 3; }
__asm__(".symver hid_a_old,hid_a@HID_1");
__asm__(".symver hid_b_new,hid_b@HID_2");
