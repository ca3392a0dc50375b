//! Collections (albums) and the gallery's search, filters and order.

use serde_json::{Value, json};

use crate::helpers::{Signed, TestApp, assert_problem, spawn_app};

/// Generates `prompt` at `width`×`height` (one image) and returns the image's id.
async fn image(app: &TestApp, who: &Signed, prompt: &str, width: u32, height: u32) -> String {
    let task: Value = app
        .post_auth(
            "/v1/generations",
            &who.access,
            &json!({"model": "z-image-local", "prompt": prompt, "width": width,
                    "height": height, "num_images": 1, "output_format": "webp"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let done = app
        .wait_for_task(who, task["id"].as_str().expect("a task"))
        .await;
    done["images"][0]["id"].as_str().unwrap().to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn collections_gather_images_with_a_cover_and_are_private() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let first = image(&app, &ada, "a red fox", 256, 256).await;
    let second = image(&app, &ada, "a blue whale", 256, 256).await;
    let bobs = image(&app, &bob, "bob's own", 256, 256).await;

    let refused = app
        .post_auth("/v1/collections", &ada.access, &json!({"name": "  "}))
        .await;
    assert!(assert_problem(refused, 422, "validation_failed").await["errors"]["name"].is_array());
    let made = app
        .post_auth(
            "/v1/collections",
            &ada.access,
            &json!({"name": "Animals", "description": "Creatures"}),
        )
        .await;
    assert_eq!(made.status(), 201);
    assert!(
        made.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/v1/collections/")
    );
    let made: Value = made.json().await.unwrap();
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["image_count"], 0);
    assert_eq!(made["cover_thumbnail_url"], Value::Null);

    // Adding: ada's images only, duplicates counted once, twice is a no-op.
    let path = format!("/v1/collections/{id}/images");
    let not_hers = app
        .post_auth(&path, &ada.access, &json!({"image_ids": [first, bobs]}))
        .await;
    assert_problem(not_hers, 422, "validation_failed").await;
    let added: Value = app
        .post_auth(
            &path,
            &ada.access,
            &json!({"image_ids": [first, second, first]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(added["changed"], 2, "{added}");
    assert_eq!(added["collection"]["image_count"], 2);
    assert!(
        added["collection"]["cover_thumbnail_url"]
            .as_str()
            .unwrap()
            .contains(&second),
        "the newest image is the cover until one is chosen"
    );
    let again: Value = app
        .post_auth(&path, &ada.access, &json!({"image_ids": [first]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["changed"], 0);

    // A cover must be one of its images; renaming keeps the rest.
    let bad_cover = app
        .patch_auth(
            &format!("/v1/collections/{id}"),
            &ada.access,
            &json!({"cover_image_id": bobs}),
        )
        .await;
    assert_problem(bad_cover, 422, "validation_failed").await;
    let changed: Value = app
        .patch_auth(
            &format!("/v1/collections/{id}"),
            &ada.access,
            &json!({"name": "Beasts", "cover_image_id": first}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["name"], "Beasts");
    assert_eq!(changed["description"], "Creatures");
    assert_eq!(changed["cover_image_id"], first.as_str());

    // The gallery filtered by the collection; bob cannot read it, nor list by it.
    let inside: Value = app
        .get_json(&format!("/v1/images?collection={id}"), &ada.access)
        .await;
    assert_eq!(ids(&inside), vec![second.clone(), first.clone()]);
    assert_problem(
        app.get_auth(&format!("/v1/images?collection={id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("/v1/collections/{id}"), &bob.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let bobs_list: Value = app.get_json("/v1/collections", &bob.access).await;
    assert_eq!(bobs_list["items"], json!([]));

    // Removing one; deleting an image takes it out; deleting the collection keeps the images.
    let removed: Value = app
        .post_auth(
            &format!("/v1/collections/{id}/images/remove"),
            &ada.access,
            &json!({"image_ids": [second]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(removed["changed"], 1);
    assert_eq!(removed["collection"]["image_count"], 1);
    assert_eq!(
        app.delete_auth(&format!("/v1/images/{first}"), &ada.access)
            .await
            .status(),
        204
    );
    let after: Value = app
        .get_json(&format!("/v1/collections/{id}"), &ada.access)
        .await;
    assert_eq!(after["image_count"], 0);
    assert_eq!(after["cover_image_id"], Value::Null, "{after}");
    assert_eq!(
        app.delete_auth(&format!("/v1/collections/{id}"), &ada.access)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get_auth(&format!("/v1/images/{second}"), &ada.access)
            .await
            .status(),
        200
    );
    let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let other: Value = app
        .post_auth("/v1/collections", &ada.access, &json!({"name": "Other"}))
        .await
        .json()
        .await
        .unwrap();
    let refused = app
        .post_auth(
            &format!("/v1/collections/{}/images", other["id"].as_str().unwrap()),
            &ada.access,
            &json!({"image_ids": too_many}),
        )
        .await;
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn the_gallery_searches_prompts_and_filters_by_shape_date_and_order() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let fox = image(&app, &ada, "A Red Fox in snow", 256, 256).await;
    let dunes = image(&app, &ada, "wide dunes at 100% noon", 512, 256).await;
    let tower = image(&app, &ada, "a tall tower", 256, 512).await;

    let get = |query: &str| {
        let (app, token, query) = (&app, ada.access.clone(), query.to_string());
        async move { app.get_json(&format!("/v1/images?{query}"), &token).await }
    };
    assert_eq!(ids(&get("q=red%20FOX").await), vec![fox.clone()]);
    // Wildcards are text: "100%" matches only the prompt that says it.
    assert_eq!(ids(&get("q=100%25").await), vec![dunes.clone()]);
    assert_eq!(ids(&get("q=_").await), Vec::<String>::new());
    assert_eq!(ids(&get("aspect=landscape").await), vec![dunes.clone()]);
    assert_eq!(ids(&get("aspect=portrait").await), vec![tower.clone()]);
    assert_eq!(ids(&get("aspect=square").await), vec![fox.clone()]);
    assert_eq!(
        ids(&get("sort=oldest").await),
        vec![fox.clone(), dunes.clone(), tower.clone()]
    );
    // Pages follow the order in both directions.
    let first: Value = get("sort=oldest&limit=2").await;
    assert_eq!(ids(&first), vec![fox.clone(), dunes.clone()]);
    let rest = get(&format!(
        "sort=oldest&limit=2&cursor={}",
        first["next_cursor"].as_str().unwrap()
    ))
    .await;
    assert_eq!(ids(&rest), vec![tower.clone()]);
    let newest: Value = get("limit=2").await;
    let older = get(&format!(
        "limit=2&cursor={}",
        newest["next_cursor"].as_str().unwrap()
    ))
    .await;
    assert_eq!(ids(&older), vec![fox.clone()]);

    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let encode = |s: &str| s.replace('+', "%2B");
    assert_eq!(
        ids(&get(&format!("from={}", encode(&future))).await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&get(&format!("from={}&to={}", encode(&past), encode(&future))).await).len(),
        3
    );
    // A range that ends before it starts holds nothing.
    assert_eq!(
        ids(&get(&format!("from={}&to={}", encode(&future), encode(&past))).await),
        Vec::<String>::new()
    );
    let long = "x".repeat(201);
    assert_problem(
        app.get_auth(&format!("/v1/images?q={long}"), &ada.access)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

/// Checks a ZIP with Python's `zipfile` (an implementation of its own): every entry's CRC
/// matches; answers the entries' names and sizes.
fn python_zip_entries(bytes: &[u8]) -> Vec<(String, u64)> {
    let path = std::env::temp_dir().join(format!("zimage-{}.zip", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             bad = z.testzip()\n\
             assert bad is None, bad\n\
             for i in z.infolist(): print(i.filename, i.file_size)",
        ])
        .arg(&path)
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "zipfile refused the archive: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (name, size) = line.rsplit_once(' ').unwrap();
            (name.to_string(), size.parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn several_images_download_as_one_zip_that_outside_tools_open() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let first = image(&app, &ada, "a red fox", 320, 256).await;
    let second = image(&app, &ada, "a blue whale", 256, 320).await;
    let bobs = image(&app, &bob, "bob's own", 256, 256).await;

    // Refused before anything is written: nothing named, too many, someone else's image.
    for (body, status, code) in [
        (json!({"image_ids": []}), 422, "validation_failed"),
        (
            json!({"image_ids": (0..501).map(|_| uuid::Uuid::new_v4()).collect::<Vec<_>>()}),
            422,
            "validation_failed",
        ),
        // Someone else's image is as unknown as one that never was.
        (json!({"image_ids": [first, bobs]}), 404, "not_found"),
    ] {
        let refused = app
            .post_auth("/v1/images/bulk/archive", &ada.access, &body)
            .await;
        assert_problem(refused, status, code).await;
    }
    assert_eq!(
        app.get_json("/v1/downloads", &ada.access).await["items"],
        json!([]),
        "a refused archive records no download"
    );

    let answer = app
        .post_auth(
            "/v1/images/bulk/archive",
            &ada.access,
            &json!({"image_ids": [first, second, first]}),
        )
        .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/zip");
    assert!(
        answer.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"zimage-images-")
    );
    assert!(
        answer.headers().get("content-length").is_none(),
        "the archive is streamed, not built first"
    );
    let zip = answer.bytes().await.unwrap();
    let entries = python_zip_entries(&zip);
    // Newest first; each entry is exactly the plain download of that image.
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            format!("zimage-{second}.webp"),
            format!("zimage-{first}.webp")
        ]
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    for id in [&first, &second] {
        let plain = app
            .get_auth(&format!("/v1/images/{id}/file"), &ada.access)
            .await
            .bytes()
            .await
            .unwrap();
        let mut inside = Vec::new();
        std::io::Read::read_to_end(
            &mut archive.by_name(&format!("zimage-{id}.webp")).unwrap(),
            &mut inside,
        )
        .unwrap();
        assert_eq!(inside, plain.to_vec(), "{id}");
    }
    let downloads = app.get_json("/v1/downloads", &ada.access).await;
    // Two from the archive, two from the plain downloads above.
    assert_eq!(
        downloads["items"].as_array().unwrap().len(),
        4,
        "{downloads}"
    );
}

#[tokio::test]
async fn deleting_several_images_is_all_or_none() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let first = image(&app, &ada, "one", 256, 256).await;
    let second = image(&app, &ada, "two", 256, 256).await;
    let third = image(&app, &ada, "three", 256, 256).await;
    let bobs = image(&app, &bob, "bob's own", 256, 256).await;

    // Bob cannot delete ada's image, even beside his own, and his stays too.
    let refused = app
        .post_auth(
            "/v1/images/bulk/delete",
            &bob.access,
            &json!({"image_ids": [bobs, first]}),
        )
        .await;
    assert_problem(refused, 404, "not_found").await;
    assert_eq!(
        app.get_auth(&format!("/v1/images/{bobs}"), &bob.access)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_auth(&format!("/v1/images/{first}"), &ada.access)
            .await
            .status(),
        200
    );

    let deleted: Value = app
        .post_auth(
            "/v1/images/bulk/delete",
            &ada.access,
            &json!({"image_ids": [first, second, second]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted, json!({"deleted": 2}));
    for gone in [&first, &second] {
        assert_eq!(
            app.get_auth(&format!("/v1/images/{gone}/file"), &ada.access)
                .await
                .status(),
            404
        );
    }
    assert_eq!(
        ids(&app.get_json("/v1/images", &ada.access).await),
        std::slice::from_ref(&third)
    );
    // Deleting them again names images that no longer exist: refused, nothing changes.
    let again = app
        .post_auth(
            "/v1/images/bulk/delete",
            &ada.access,
            &json!({"image_ids": [first, third]}),
        )
        .await;
    assert_problem(again, 404, "not_found").await;
    assert_eq!(
        ids(&app.get_json("/v1/images", &ada.access).await),
        std::slice::from_ref(&third)
    );
}

#[tokio::test]
async fn a_collection_shared_by_link_is_seen_without_an_account_until_revoked() {
    let app = spawn_app().await;
    let ada = app.signed_in_user("ada@example.org").await;
    let bob = app.signed_in_user("bob@example.org").await;
    let first = image(&app, &ada, "a red fox", 320, 256).await;
    let second = image(&app, &ada, "a blue whale", 256, 256).await;
    let _outside = image(&app, &ada, "not in the album", 256, 256).await;
    let made: Value = app
        .post_auth(
            "/v1/collections",
            &ada.access,
            &json!({"name": "Animals", "description": "Creatures"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = made["id"].as_str().unwrap().to_string();
    app.post_auth(
        &format!("/v1/collections/{id}/images"),
        &ada.access,
        &json!({"image_ids": [first, second]}),
    )
    .await;
    let path = format!("/v1/collections/{id}/share");

    // Not shared yet; bob cannot share, read or revoke ada's collection.
    assert_problem(app.get_auth(&path, &ada.access).await, 404, "not_found").await;
    assert_problem(
        app.post_auth(&path, &bob.access, &json!({})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_auth(&path, &ada.access, &json!({"include_prompts": "yes"}))
            .await,
        422,
        "validation_failed",
    )
    .await;

    // Shared with no body: prompts stay private.
    let shared = app
        .client
        .post(app.url(&path))
        .bearer_auth(&ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), 201);
    let shared: Value = shared.json().await.unwrap();
    let token = shared["token"].as_str().unwrap().to_string();
    assert_eq!(shared["include_prompts"], false);
    assert!(
        shared["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/c/{token}"))
    );
    assert_eq!(app.get_json(&path, &ada.access).await, shared);
    assert_problem(app.get_auth(&path, &bob.access).await, 404, "not_found").await;

    // Anyone with the link: the collection and its images only, a page at a time, no prompts.
    let public = format!("/v1/shared-collections/{token}");
    let page: Value = app
        .client
        .get(app.url(&format!("{public}?limit=1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["name"], "Animals");
    assert_eq!(page["description"], "Creatures");
    assert_eq!(page["image_count"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["items"][0].get("prompt").is_none(), "{page}");
    assert!(
        page["items"][0]["url"].as_str().unwrap().contains(&second),
        "newest first"
    );
    let rest: Value = app
        .client
        .get(app.url(&format!(
            "{public}?limit=1&cursor={}",
            page["next_cursor"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["items"][0]["url"].as_str().unwrap().contains(&first));
    assert!(rest.get("next_cursor").is_none());
    // Its image URLs work without a token (they name the public address; ask this server).
    let signed = page["items"][0]["url"].as_str().unwrap();
    let file = app
        .client
        .get(app.url(&signed[signed.find("/v1/").unwrap()..]))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    // An image link's token does not open a collection, nor the other way round.
    let image_share: Value = app
        .post_auth(
            &format!("/v1/images/{first}/share"),
            &ada.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let image_token = image_share["token"].as_str().unwrap();
    for wrong in [
        format!("/v1/shared-collections/{image_token}"),
        format!("/v1/shared/{token}"),
        format!("/v1/shared-collections/{}x", &token[..63]),
    ] {
        let answer = app.client.get(app.url(&wrong)).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{wrong}");
    }

    // Opting in shows prompts on the same link; the first page counted as a view.
    let opted: Value = app
        .post_auth(&path, &ada.access, &json!({"include_prompts": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opted["token"], token, "the same link");
    assert_eq!(
        opted["views"], 1,
        "one first page opened (the second page is not a view)"
    );
    let page: Value = app
        .client
        .get(app.url(&public))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["prompt"], "a blue whale");

    // Revoked: gone for everyone; sharing again makes a new link.
    assert_problem(app.delete_auth(&path, &bob.access).await, 404, "not_found").await;
    assert_eq!(app.delete_auth(&path, &ada.access).await.status(), 204);
    let gone = app.client.get(app.url(&public)).send().await.unwrap();
    assert_problem(gone, 404, "not_found").await;
    let again: Value = app
        .post_auth(&path, &ada.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(again["token"], token);
}
