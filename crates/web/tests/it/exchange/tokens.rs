//! Machine clients (issue 25 §5): a system account with a role and a
//! jurisdiction, its tokens rotated without downtime — both valid during
//! the rotation on every server, the old refused everywhere once revoked —
//! and no password sign-in.

use app::accounts::users::{NewUser, Scope};
use app::{Actor, AppError};
use domain::Role;
use serde_json::Value;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};
use crate::registry::people::{communes, person, token};

dual!(system_tokens_rotate_without_downtime_within_jurisdiction);

async fn status(client: &reqwest::Client, url: &str, tok: &str) -> u16 {
    client
        .get(url)
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn system_tokens_rotate_without_downtime_within_jurisdiction(app: TestApp) {
    let (c1, c2) = communes();
    let admin = Actor::system("test");
    let sys = app::accounts::users::add_system(
        &app.app,
        &admin,
        NewUser {
            username: "national-db".into(),
            display_name: "Cơ sở dữ liệu quốc gia".into(),
            role: Role::CommuneOfficer,
            password: String::new(),
            scopes: vec![Scope::new("new_commune", &c1)],
        },
    )
    .await
    .unwrap();
    let old = app::accounts::tokens::create_token(&app.app, &admin, sys, "feed", &["read"], 30)
        .await
        .unwrap();
    let old_id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE user_id = $1")
        .bind(sys)
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();

    // Its jurisdiction: the feed shows the people of its commune only.
    let officer = token(
        &app,
        "feed_o",
        Role::ProvinceOfficer,
        vec![],
        &["read", "write"],
    )
    .await;
    for (name, commune) in [("Lê Văn Một", &c1), ("Lê Văn Hai", &c2)] {
        let r = crate::registry::people::post(&app, &officer, &person(name, commune)).await;
        assert_eq!(r.status(), 201);
    }
    let page: Value = app
        .client
        .get(app.url("/api/v1/changes"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["events"].as_array().unwrap().len(), 1, "{page}");
    // Its scopes: read only.
    let r = crate::registry::people::post(&app, &old, &person("Lê Văn Ba", &c1)).await;
    assert_eq!(r.status(), 403);

    // Rotation: the new token works at once, the old still does, on both servers.
    let rotated = app::accounts::tokens::rotate_token(&app.app, &admin, old_id, 30)
        .await
        .unwrap();
    assert_ne!(rotated.token, old);
    let second = app.spawn_second_server().await;
    let urls = [
        app.url("/api/v1/changes"),
        format!("http://{second}/api/v1/changes"),
    ];
    for url in &urls {
        assert_eq!(status(&app.client, url, &old).await, 200, "{url}");
        assert_eq!(status(&app.client, url, &rotated.token).await, 200, "{url}");
    }
    let listed = app::accounts::tokens::tokens_of_user(&app.app, &admin, sys)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].0.id, rotated.id);
    assert_eq!(listed[0].1, Some(old_id), "the new token names the old");
    assert_eq!(listed[0].0.scopes, "read", "same scopes");
    // The old is revoked: refused on every server at once, the new goes on.
    app::accounts::tokens::revoke_token(&app.app, &admin, old_id)
        .await
        .unwrap();
    for url in &urls {
        assert_eq!(status(&app.client, url, &old).await, 401, "{url}");
        assert_eq!(status(&app.client, url, &rotated.token).await, 200, "{url}");
    }
    // A revoked token is not rotated again.
    let again = app::accounts::tokens::rotate_token(&app.app, &admin, old_id, 30).await;
    assert!(matches!(again, Err(AppError::Invalid(_))), "{again:?}");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'token.rotate'")
            .fetch_one(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // A system account never signs in with a password, nor gets one.
    let client = TestApp::new_client();
    let r = app.sign_in(&client, "national-db", PASSWORD).await;
    assert_ne!(r.status(), 303, "no session for a system account");
    let r = client.get(app.url("/work")).send().await.unwrap();
    assert_ne!(r.status(), 200);
    let reset = app::accounts::users::reset_password(&app.app, &admin, sys, PASSWORD).await;
    assert!(matches!(reset, Err(AppError::Invalid(_))), "{reset:?}");
}
