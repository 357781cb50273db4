//! 32 clients putting and getting 2,000 objects in all, concurrently, every byte compared; then a
//! listing that sees exactly the 2,000 keys.

mod common;

use common::*;
use oss_sse_core::Method;
use oss_sse_server::crc64;
use oss_sse_server::testing::TestServer;

const CLIENTS: usize = 32;
const OBJECTS: usize = 2000;

fn size_of(i: usize) -> usize {
    match i % 10 {
        0 => 0,
        1..=6 => 1 + (i * 37) % 4096,
        7 | 8 => 4096 + (i * 1013) % 65_536,
        _ => 200_000 + (i * 7) % 100_000,
    }
}

#[test]
fn thirty_two_clients_two_thousand_objects() {
    let s = TestServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "crowd").await;
        let mut tasks = Vec::new();
        for w in 0..CLIENTS {
            let mut c = client(&s);
            tasks.push(tokio::spawn(async move {
                let mine: Vec<usize> = (0..OBJECTS).filter(|i| i % CLIENTS == w).collect();
                for &i in &mine {
                    let body = data(i as u64, size_of(i));
                    let p = put(&mut c, "crowd", &format!("obj/{i:05}"), body.clone()).await;
                    assert_eq!(p.status, 200, "put {i}: {}", p.text());
                    assert_eq!(
                        p.header("x-oss-hash-crc64ecma"),
                        Some(crc64::checksum(&body).to_string().as_str())
                    );
                }
                // Read back our own objects and a neighbour's, comparing every byte.
                let neighbour = (w + 1) % CLIENTS;
                for i in mine
                    .iter()
                    .copied()
                    .chain((0..OBJECTS).filter(|i| i % CLIENTS == neighbour))
                {
                    let key = format!("obj/{i:05}");
                    let mut g = get(&mut c, "crowd", &key).await;
                    if g.status == 404 {
                        // The neighbour may not have written it yet; wait for it.
                        for _ in 0..200 {
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            g = get(&mut c, "crowd", &key).await;
                            if g.status != 404 {
                                break;
                            }
                        }
                    }
                    assert_eq!(g.status, 200, "get {key}");
                    assert!(
                        g.body.as_ref() == data(i as u64, size_of(i)).as_slice(),
                        "bytes of {key}"
                    );
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut keys = Vec::new();
        let mut marker = String::new();
        loop {
            let m = format!("marker={marker}");
            let r = req(
                &c,
                Method::Get,
                Some("crowd"),
                None,
                &["max-keys=1000", &m],
                &[],
                None,
            );
            let t = call(&mut c, r).await.text();
            let page: Vec<String> = between(&t, "<Key>", "</Key>")
                .into_iter()
                .map(str::to_owned)
                .collect();
            if !t.contains("<IsTruncated>true</IsTruncated>") {
                keys.extend(page);
                break;
            }
            marker = page.last().cloned().unwrap();
            keys.extend(page);
        }
        let expected: Vec<String> = (0..OBJECTS).map(|i| format!("obj/{i:05}")).collect();
        assert_eq!(keys, expected);
    });
}
