//! The Azure Table destination against Azurite, the Azure Storage emulator.

use portal_domain::OfferDocument;
use portal_package::leads::table::{ConnectionString, DEFAULT_TABLE, TableClient};
use portal_package::{LeadError, send_test_lead};
use serde_json::json;

use crate::helpers::{AZURITE_KEY, Azurite, lead_options, sample_offer};

fn table_offer(connection_string: &str, table_name: Option<&str>) -> OfferDocument {
    let mut doc = sample_offer("https://example.invalid");
    let mut config = json!({"connectionString": connection_string});
    if let Some(t) = table_name {
        config["tableName"] = json!(t);
    }
    doc.definition.offer.lead_destination = Some("AzureTable".into());
    doc.definition.offer.table_lead_configuration = Some(serde_json::from_value(config).unwrap());
    doc
}

#[tokio::test]
async fn the_test_lead_is_inserted_and_can_be_read_back() {
    let azurite = Azurite::start();
    let cs = azurite.connection_string(AZURITE_KEY);
    let opts = lead_options();

    let outcome = send_test_lead(&table_offer(&cs, None), &opts)
        .await
        .expect("delivered");
    assert!(outcome.delivered);
    let token = outcome.token.clone().unwrap();
    assert!(
        outcome.message.contains(DEFAULT_TABLE),
        "{}",
        outcome.message
    );
    assert!(!outcome.message.contains(AZURITE_KEY));

    let client = TableClient::new(
        ConnectionString::parse(&cs).unwrap(),
        opts.http.clone(),
        opts.retry,
    );
    let entity = client
        .get_entity(DEFAULT_TABLE, "contoso.contoso-vm", &token)
        .await
        .expect("the entity is there");
    assert_eq!(entity["RowKey"], json!(token));
    assert_eq!(entity["Email"], json!(format!("{token}@test.com")));
    assert_eq!(entity["Phone"], json!("1234567890"));
    assert_eq!(entity["Country"], json!("US"));
    assert_eq!(
        entity["LeadSource"],
        json!(format!("{token}-{token}|contoso.contoso-vm"))
    );
    assert_eq!(entity["OfferTitle"], json!("Contoso <Secure> VM"));

    // A named table is created on the first lead and found existing on the second.
    let named = table_offer(&cs, Some("PortalLeads"));
    let first = send_test_lead(&named, &opts).await.expect("table created");
    let second = send_test_lead(&named, &opts)
        .await
        .expect("table already there");
    assert!(second.message.contains("PortalLeads"), "{}", second.message);
    for outcome in [first, second] {
        let token = outcome.token.unwrap();
        let entity = client
            .get_entity("PortalLeads", "contoso.contoso-vm", &token)
            .await
            .expect("both leads are there");
        assert_eq!(entity["RowKey"], json!(token));
    }
}

#[tokio::test]
async fn a_wrong_key_fails_with_the_service_answer_and_no_secret() {
    let azurite = Azurite::start();
    let wrong_key = "V1JPTkctS0VZLVdST05HLUtFWQ==";
    let cs = azurite.connection_string(wrong_key);
    let err = send_test_lead(&table_offer(&cs, None), &lead_options())
        .await
        .unwrap_err();
    match &err {
        LeadError::Rejected {
            field,
            status,
            message,
            ..
        } => {
            assert_eq!(
                field.to_string(),
                "definition.offer.microsoft-azure-marketplace.tableLeadConfiguration.connectionString"
            );
            assert_eq!(*status, 403);
            assert!(message.contains("devstoreaccount1"), "{message}");
            assert!(message.contains("answered 403"), "{message}");
            assert!(!message.contains(wrong_key), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_connection_string_is_a_configuration_error_without_its_value() {
    let err = send_test_lead(
        &table_offer("AccountName=contoso;AccountKey=%%%SECRET%%%", None),
        &lead_options(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LeadError::Configuration { .. }), "{err:?}");
    assert!(
        err.to_string().contains("AccountKey is not valid base64"),
        "{err}"
    );
    assert!(!err.to_string().contains("SECRET"), "{err}");
}
