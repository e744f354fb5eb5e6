//! The issuer's HTML: the sign-in page and the error pages. Server-rendered, self-contained
//! (inline CSS, no scripts, no external assets), every dynamic value escaped.

use super::respond::escape_html;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#0b1020;color:#1d2433;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}\
main{background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.35);padding:2rem 2.25rem;width:min(22rem,90vw)}\
h1{font-size:1.25rem;margin:0 0 .25rem}p.sub{color:#5b6477;margin:0 0 1.5rem;font-size:.9rem}\
label{display:block;font-size:.85rem;font-weight:600;margin:.9rem 0 .3rem}\
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:.6rem .7rem;border:1px solid #c9cfdb;border-radius:8px;font-size:1rem}\
button{margin-top:1.4rem;width:100%;padding:.7rem;border:0;border-radius:8px;background:#3451d1;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}\
.error{background:#fdecec;color:#9b1c1c;border-radius:8px;padding:.6rem .8rem;font-size:.9rem;margin-bottom:1rem}\
footer{margin-top:1.5rem;font-size:.75rem;color:#8a92a6;text-align:center}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}<footer>Portcullis authorization server</footer></main></body></html>",
        escape_html(title)
    )
}

/// What the sign-in page shows.
pub struct SignIn<'a> {
    /// Where the form posts.
    pub action: &'a str,
    /// The interaction this sign-in completes.
    pub interaction: &'a str,
    /// Anti-CSRF token for this interaction.
    pub csrf: &'a str,
    /// The app asking.
    pub client_name: &'a str,
    /// Pre-filled username (`login_hint`, or the last attempt).
    pub username: &'a str,
    /// A failure to show.
    pub error: Option<&'a str>,
}

/// The sign-in form.
pub fn sign_in(p: &SignIn<'_>) -> String {
    let error = p
        .error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", escape_html(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1><p class=\"sub\">to continue to {client}</p>{error}\
<form method=\"post\" action=\"{action}\" autocomplete=\"on\">\
<input type=\"hidden\" name=\"interaction\" value=\"{interaction}\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<label for=\"username\">Username</label><input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required value=\"{username}\" autofocus>\
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\" id=\"sign-in\">Sign in</button></form>",
        client = escape_html(p.client_name),
        action = escape_html(p.action),
        interaction = escape_html(p.interaction),
        csrf = escape_html(p.csrf),
        username = escape_html(p.username),
    );
    layout("Sign in", &body)
}

/// An error page (for errors that must not be redirected, RFC 6749 §4.1.2.1).
pub fn error(title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1><p class=\"sub\">{}</p>",
        escape_html(title),
        escape_html(message)
    );
    layout(title, &body)
}

/// The page shown after sign-out when no redirect was asked for.
pub fn signed_out() -> String {
    layout(
        "Signed out",
        "<h1>Signed out</h1><p class=\"sub\">You have been signed out.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_escapes_everything_it_echoes() {
        let page = sign_in(&SignIn {
            action: "/x",
            interaction: "i",
            csrf: "c",
            client_name: "<script>",
            username: "\"><img>",
            error: Some("<b>"),
        });
        assert!(!page.contains("<script>") && !page.contains("\"><img>") && !page.contains("<b>"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
