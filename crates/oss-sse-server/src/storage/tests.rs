//! Store tests: commit, overwrite, delete, recovery after a simulated crash, multipart, hostile keys.

use std::collections::BTreeMap;
use std::io::Read;

use super::meta::*;
use super::*;

fn bucket_meta(name: &str) -> BucketMeta {
    BucketMeta {
        name: name.to_owned(),
        created: 0,
        region: "cn-hangzhou".to_owned(),
        storage_class: "Standard".to_owned(),
        acl: "private".to_owned(),
        encryption: None,
    }
}

fn put(store: &Store, bucket: &str, key: &str, data: &[u8]) -> Arc<ObjectRef> {
    let b = store.bucket(bucket).unwrap();
    let mut w = b.new_segment(None).unwrap();
    w.write(data).unwrap();
    let seg = w.finish().unwrap();
    store
        .commit(bucket, key, |_| {
            Ok(ObjectMeta {
                key: key.to_owned(),
                size: seg.segment.len,
                etag: ids::hex_upper(&seg.md5),
                crc64: seg.crc64,
                last_modified: 1,
                content_type: "application/octet-stream".to_owned(),
                headers: BTreeMap::new(),
                user_meta: BTreeMap::new(),
                object_type: ObjectType::Normal,
                segments: vec![seg.segment.clone()],
                encryption: None,
            })
        })
        .unwrap()
}

fn read_all(obj: &Arc<ObjectRef>, start: u64, end: u64) -> Vec<u8> {
    let mut out = Vec::new();
    obj.reader(start, end).read_to_end(&mut out).unwrap();
    out
}

fn blob_count(dir: &Path, bucket: &str) -> usize {
    fs::read_dir(dir.join("buckets").join(bucket).join("blobs"))
        .unwrap()
        .count()
}

#[test]
fn put_overwrite_delete_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.create_bucket(bucket_meta("b1")).unwrap();
    assert!(matches!(
        store.create_bucket(bucket_meta("b1")),
        Err(StoreError::BucketAlreadyExists)
    ));
    let keys = [
        "../../escape",
        "..",
        "/lead",
        "a%2Fb",
        "日本語/キー",
        &"k".repeat(1023),
    ];
    for (i, k) in keys.iter().enumerate() {
        put(&store, "b1", k, format!("value {i}").as_bytes());
    }
    let old = store.get("b1", "..").unwrap();
    put(&store, "b1", "..", b"replaced");
    // A reader of the old version still sees it until it lets go.
    assert_eq!(read_all(&old, 0, u64::MAX), b"value 1");
    drop(old);
    assert_eq!(blob_count(dir.path(), "b1"), keys.len());
    assert!(store.delete("b1", "/lead").unwrap());
    assert!(!store.delete("b1", "/lead").unwrap());
    assert!(matches!(
        store.delete_bucket("b1"),
        Err(StoreError::BucketNotEmpty)
    ));
    drop(store);
    // Nothing outside the data dir was touched by the hostile names.
    assert!(!dir.path().parent().unwrap().join("escape").exists());

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        read_all(&store.get("b1", "..").unwrap(), 0, 100),
        b"replaced"
    );
    assert_eq!(
        read_all(&store.get("b1", "日本語/キー").unwrap(), 2, 4),
        b"lu"
    );
    assert!(matches!(
        store.get("b1", "/lead"),
        Err(StoreError::NoSuchKey)
    ));
    let page = store.list_objects("b1", "", "/", None, 100).unwrap();
    assert_eq!(page.entries.len(), 5);
    for k in keys.iter().filter(|k| **k != "/lead") {
        store.delete("b1", k).unwrap();
    }
    store.delete_bucket("b1").unwrap();
    assert!(store.list_buckets().is_empty());
}

#[test]
fn recovery_removes_unreferenced_blobs_and_staging() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.create_bucket(bucket_meta("b2")).unwrap();
    put(&store, "b2", "kept", b"kept");
    // A body written but never committed: what a crash mid-request leaves.
    let b = store.bucket("b2").unwrap();
    let mut w = b.new_segment(None).unwrap();
    w.write(b"orphan").unwrap();
    let orphan = w.finish().unwrap();
    fs::write(dir.path().join("tmp").join("half-written"), b"x").unwrap();
    drop(b);
    drop(store);
    assert_eq!(blob_count(dir.path(), "b2"), 2);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(blob_count(dir.path(), "b2"), 1);
    assert!(!dir
        .path()
        .join("buckets/b2/blobs")
        .join(&orphan.segment.blob)
        .exists());
    assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    assert_eq!(read_all(&store.get("b2", "kept").unwrap(), 0, 10), b"kept");
}

#[test]
fn multipart_complete_combines_parts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.create_bucket(bucket_meta("b3")).unwrap();
    let upload_id = ids::upload_id();
    store
        .create_upload(
            "b3",
            UploadMeta {
                upload_id: upload_id.clone(),
                key: "big".to_owned(),
                initiated: 0,
                content_type: "text/plain".to_owned(),
                headers: BTreeMap::new(),
                user_meta: BTreeMap::new(),
                encryption: None,
            },
        )
        .unwrap();
    let b = store.bucket("b3").unwrap();
    let mut whole = Vec::new();
    let mut list = Vec::new();
    for n in 1..=3u32 {
        let data: Vec<u8> = (0..(MIN_PART_SIZE as usize + n as usize))
            .map(|i| (i as u32 * n) as u8)
            .collect();
        let mut w = b.new_segment(None).unwrap();
        w.write(&data).unwrap();
        let seg = w.finish().unwrap();
        let etag = ids::hex_upper(&seg.md5);
        store
            .put_part(
                "b3",
                "big",
                &upload_id,
                PartMeta {
                    number: n,
                    etag: etag.clone(),
                    crc64: seg.crc64,
                    last_modified: 0,
                    segment: seg.segment,
                },
            )
            .unwrap();
        whole.extend_from_slice(&data);
        list.push((n, format!("\"{}\"", etag.to_lowercase())));
    }
    assert!(matches!(
        store.complete_upload(
            "b3",
            "big",
            &upload_id,
            &[(2, list[1].1.clone()), (1, list[0].1.clone())],
            5,
            |_, m| Ok(m)
        ),
        Err(StoreError::InvalidPartOrder)
    ));
    let obj = store
        .complete_upload("b3", "big", &upload_id, &list, 5, |_, m| Ok(m))
        .unwrap();
    assert_eq!(obj.meta.crc64, crc64::checksum(&whole));
    assert!(obj.meta.etag.ends_with("-3"));
    assert_eq!(read_all(&obj, 0, u64::MAX), whole);
    let start = MIN_PART_SIZE - 3;
    assert_eq!(
        read_all(&obj, start, start + 10),
        &whole[start as usize..start as usize + 10]
    );
    assert!(store.list_uploads("b3").unwrap().is_empty());
    drop(obj);
    drop(b);
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        read_all(&store.get("b3", "big").unwrap(), 0, u64::MAX),
        whole
    );
}
