"""The code of the service images we build: one folder per image, importable as `services.<name>`.

Each image copies its own folder, this package and `services.common` under
/app/services and runs its program with `python3 -m services.<name>.<module>`
(PYTHONPATH=/app), so the tests import the very modules the images run.
Standard library only, plus what Debian packages an image installs
(psycopg2, aiosmtpd): nothing here imports drill or infra.
"""
