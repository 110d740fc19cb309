-- Owner: platform/auth. People who sign in; each has exactly one role.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CONSTRAINT users_role_check
    CHECK (role IN ('patient', 'physician', 'location_staff', 'department_head', 'admin', 'compliance')),
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
