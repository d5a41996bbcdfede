-- Enterprise admins (issue 17): a staff login bound to one enterprise. They live in the platform's
-- users table (one login route, one token format); the enterprise module adds the role and the
-- binding here because the binding references its enterprises table.
ALTER TABLE users ADD COLUMN enterprise_id text;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('platform_admin', 'operator_admin', 'operator_staff', 'enterprise_admin'));
ALTER TABLE users ADD CONSTRAINT users_enterprise_binding CHECK ((role = 'enterprise_admin') = (enterprise_id IS NOT NULL));
ALTER TABLE users ADD CONSTRAINT users_enterprise_fk FOREIGN KEY (operator_id, enterprise_id) REFERENCES enterprises (operator_id, id);
CREATE INDEX users_enterprise ON users (operator_id, enterprise_id) WHERE enterprise_id IS NOT NULL;
