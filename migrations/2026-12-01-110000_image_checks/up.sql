-- `verification/idv` reads the photo itself: the checks `image_quality`,
-- `mrz_read_from_image` and `mrz_matches_image`.

ALTER TABLE verification_checks DROP CONSTRAINT verification_checks_name_check;
ALTER TABLE verification_checks ADD CONSTRAINT verification_checks_name_check CHECK (name IN (
    'mrz_format', 'mrz_check_digits', 'document_not_expired', 'minimum_age',
    'data_consistency', 'image_readable', 'image_quality', 'mrz_read_from_image',
    'mrz_matches_image', 'document_recent', 'name_matches_session', 'address_present'));
