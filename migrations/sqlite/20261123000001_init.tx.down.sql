DROP TABLE signing_keys;
--bun:split
DROP TABLE verification_codes;
--bun:split
DROP TABLE sessions;
--bun:split
DROP TABLE emails;
--bun:split
DROP TABLE user_groups;
--bun:split
DROP TABLE user_roles;
--bun:split
DROP TABLE users;
