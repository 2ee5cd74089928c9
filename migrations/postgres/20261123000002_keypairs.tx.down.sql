DROP TABLE key_pairs;
