#!/bin/sh
# First start of the compose database: the application's group role (migration 0018 grants it
# what the application needs) and its login, whose password comes from ROUNDS_DB_APP_PASSWORD.
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$ROUNDS_DB_APP_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE rounds_app NOLOGIN;
CREATE ROLE rounds_web LOGIN PASSWORD :'app_password' IN ROLE rounds_app;
SQL
