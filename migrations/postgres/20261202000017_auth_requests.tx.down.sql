DROP TABLE oauth_auth_requests;
