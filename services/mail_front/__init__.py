"""The mail front end's copy filter (the hospital-drp/mail-front image, beside Postfix)."""
