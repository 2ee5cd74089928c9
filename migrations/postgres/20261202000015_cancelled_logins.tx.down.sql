DROP TABLE cancelled_logins;
