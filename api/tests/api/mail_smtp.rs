//! The SMTP transport against a real SMTP server process (Python's aiosmtpd).

use std::process::{Child, Command, Stdio};

use zimage_api::testing::{free_port, wait_for_port};

use crate::helpers::{decode_mail, spawn_app_with, token_after};

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_smtp_server() -> SmtpServer {
    let port = free_port();
    let maildir =
        std::env::temp_dir().join(format!("zimage-smtp-{}", uuid::Uuid::new_v4().simple()));
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 with aiosmtpd is installed (`just test` installs it)");
    wait_for_port(port, "the SMTP server");
    SmtpServer {
        child,
        port,
        maildir,
    }
}

fn delivered(maildir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|d| {
            d.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn verification_mail_is_delivered_over_smtp_and_its_link_works() {
    let smtp = start_smtp_server();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let app = spawn_app_with(&[
        ("ZIMAGE_SMTP_URL", url.as_str()),
        ("ZIMAGE_MAIL_FROM", "Studio <studio@zimage.test>"),
    ])
    .await;
    assert_eq!(app.signup("ada@example.org").await.status(), 201);
    // The mail goes out after the answer.
    let mut mails = delivered(&smtp.maildir);
    for _ in 0..100 {
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        mails = delivered(&smtp.maildir);
    }
    assert_eq!(mails.len(), 1, "one message delivered");
    let mail = decode_mail(&mails[0]);
    assert!(mail.contains("From: Studio <studio@zimage.test>"));
    assert!(mail.contains("To: ada@example.org"));
    assert!(mail.contains("Subject: Confirm your e-mail address"));
    let token = token_after(&mail, "/verify-email?token=").unwrap();
    let verified = app
        .post(
            "/v1/auth/verify-email",
            &serde_json::json!({"token": token}),
        )
        .await;
    assert_eq!(verified.status(), 200);
    assert!(
        app.mails_to("ada@example.org").is_empty(),
        "nothing went to the outbox"
    );
}
