"""Rules that flag action items that will never get done."""
