#!/bin/bash
# One database and one role per service: no service can read another's tables.
set -euo pipefail
for service in auth family booking billing mailing; do
  password_var="MARELLE_${service^^}_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE marelle_${service} LOGIN PASSWORD '${!password_var}';
CREATE DATABASE marelle_${service} OWNER marelle_${service};
REVOKE ALL ON DATABASE marelle_${service} FROM PUBLIC;
SQL
done
