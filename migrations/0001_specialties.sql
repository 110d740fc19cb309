-- Owner: physicians module. The network's reference list of specialties.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE specialties (
  code text PRIMARY KEY CONSTRAINT specialties_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
  name text NOT NULL CONSTRAINT specialties_name_key UNIQUE
);
