int data_table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
