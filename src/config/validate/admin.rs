//! Validation of the `admin:` section: the apigatewayv2 control plane's listener, its access
//! keys, its store and whether authorizer issuers are checked on write.

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::FileAdmin;
use super::super::source::join;
use super::{decode, listen_address};
use crate::model::{AccessKey, AdminApi};

pub(super) fn validate_admin(value: &Value, diags: &mut Diagnostics) -> Option<AdminApi> {
    let path = "admin";
    let file: FileAdmin = decode(value, path, diags)?;
    let listen = listen_address(&file.listen, path, "127.0.0.1:8001", diags);
    if file.credentials.is_empty() {
        diags.error(
            &join(path, "credentials"),
            "the admin API has no access key, so no request could be signed",
            "add an entry with accessKeyId and secretAccessKey",
        );
    }
    let mut keys = Vec::new();
    for (i, key) in file.credentials.into_iter().enumerate() {
        let at = format!("{}[{i}]", join(path, "credentials"));
        let id_ok = (16..=128).contains(&key.access_key_id.len())
            && key.access_key_id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !id_ok {
            diags.error(
                &join(&at, "accessKeyId"),
                "an access key id is 16–128 letters and digits",
                "e.g. AKIDPORTCULLISLOCAL",
            );
        }
        if key.secret_access_key.len() < 16 {
            diags.error(
                &join(&at, "secretAccessKey"),
                "a secret access key must be at least 16 characters",
                "generate one, e.g. `openssl rand -base64 30`",
            );
        }
        if keys.iter().any(|k: &AccessKey| k.access_key_id == key.access_key_id) {
            diags.error(
                &join(&at, "accessKeyId"),
                "this access key id is listed twice",
                "give every key its own id",
            );
        }
        keys.push(AccessKey {
            access_key_id: key.access_key_id,
            secret_access_key: key.secret_access_key,
        });
    }
    Some(AdminApi {
        listen: listen?,
        credentials: keys,
        store: file
            .store
            .unwrap_or_else(|| "portcullis-data/gateway.db".to_owned())
            .into(),
        check_issuer_discovery: file.check_issuer_discovery.unwrap_or(true),
    })
}
