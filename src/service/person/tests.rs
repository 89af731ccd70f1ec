//! Tests of [`super`].

use super::*;

#[test]
fn every_bad_field_is_named_and_nothing_passes() {
    let form = PersonForm {
        first_name: Some("Anna".into()),
        birth_date: Some("1974-02-30".into()),
        email: Some("anna@@example.org".into()),
        address_country_code: Some("XX".into()),
        ..PersonForm::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("a real date");
    let errors = parse(&form, today).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["person.birth_date", "contact.email", "address.country_code"]
    );
}

#[test]
fn blank_clears_and_absent_leaves_alone() {
    let form = PersonForm {
        first_name: Some("  ".into()),
        ..PersonForm::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("a real date");
    let c = parse(&form, today).expect("every field of this form is valid");
    assert_eq!(c.first_name, Some(None));
    assert_eq!(c.last_name, None);
}
