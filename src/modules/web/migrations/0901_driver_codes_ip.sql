-- Codes requested per client address (one address asking for many phones is refused).
CREATE INDEX driver_login_codes_ip ON driver_login_codes (requested_ip, created_at);
