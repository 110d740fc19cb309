-- Owner: integrations/fhir (system clients). Mutual TLS for system clients (RFC 8705): a client
-- registered with tls_client_auth has no secret and no key here, but the subject its TLS client
-- certificate must carry (its subject DN, or one subjectAltName of a kind), and the certificate
-- must chain to the CA the HTTPS server trusts (ROUNDS_TLS_CLIENT_CA). Its access tokens are bound
-- to the certificate it presented: the SHA-256 thumbprint (cnf.x5t#S256, base64url) is kept with
-- the token and must match the certificate of every connection that uses it.
ALTER TABLE fhir_clients
  ADD COLUMN tls_subject_kind text
    CONSTRAINT fhir_clients_tls_subject_kind_known
    CHECK (tls_subject_kind IN ('subject_dn', 'san_dns', 'san_uri', 'san_ip', 'san_email')),
  ADD COLUMN tls_subject text
    CONSTRAINT fhir_clients_tls_subject_length CHECK (char_length(tls_subject) BETWEEN 1 AND 500);

ALTER TABLE fhir_clients DROP CONSTRAINT fhir_clients_auth_method_known;
ALTER TABLE fhir_clients ADD CONSTRAINT fhir_clients_auth_method_known
  CHECK (auth_method IN ('client_secret', 'private_key_jwt', 'tls_client_auth'));

-- each way of signing in has exactly the credential it checks
ALTER TABLE fhir_clients DROP CONSTRAINT fhir_clients_credential;
ALTER TABLE fhir_clients ADD CONSTRAINT fhir_clients_credential CHECK (
  (auth_method = 'client_secret' AND secret_hash IS NOT NULL AND public_jwk IS NULL AND tls_subject IS NULL)
  OR (auth_method = 'private_key_jwt' AND public_jwk IS NOT NULL AND secret_hash IS NULL AND tls_subject IS NULL)
  OR (auth_method = 'tls_client_auth' AND tls_subject IS NOT NULL AND tls_subject_kind IS NOT NULL
      AND secret_hash IS NULL AND public_jwk IS NULL));

ALTER TABLE fhir_client_tokens ADD COLUMN cnf_x5t_s256 text
  CONSTRAINT fhir_client_tokens_cnf_x5t_s256_form CHECK (cnf_x5t_s256 ~ '^[A-Za-z0-9_-]{43}$');
