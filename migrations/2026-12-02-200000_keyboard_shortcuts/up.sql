-- Single-key shortcuts can be turned off per user (WCAG 2.2, 2.1.4 Character Key Shortcuts).
ALTER TABLE users ADD COLUMN shortcuts_enabled boolean NOT NULL DEFAULT true;
