// The hosted render API's client code, as the seed's Next.js tutorial writes its route
// handler (app/api/og/route.ts), pointed at ogmill by changing only the base URL. Run by
// tests/it/typescript.rs with BASE_URL and API_KEY; prints one JSON line of what it saw.
const BASE = process.env.BASE_URL;
const KEY = process.env.API_KEY;

// As in the tutorial: values in a JSON body, the key as a Bearer token, bytes back.
async function GET(request, key = KEY) {
  const { searchParams } = new URL(request.url);
  const title = searchParams.get("title") ?? "Default title";
  const response = await fetch(`${BASE}/v1/blog`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ title }),
  });
  if (!response.ok) {
    const error = await response.json();
    return new Response(JSON.stringify(error), { status: response.status });
  }
  const image = await response.arrayBuffer();
  return new Response(image, { headers: { "Content-Type": "image/png" } });
}

const png = (buf) => Buffer.from(buf).subarray(0, 8).toString("hex") === "89504e470d0a1a0a";
const seen = {};
const ok = await GET(new Request("https://site.example/api/og?title=From+the+tutorial"));
const okBytes = Buffer.from(await ok.arrayBuffer());
seen.ok = { status: ok.status, png: png(okBytes), bytes: okBytes.length };
const bad = await GET(new Request("https://site.example/api/og?title=x"), "wrong-key");
seen.bad = { status: bad.status, body: await bad.json() };

// The other two shapes of the same values: nested per layer, and GET with layer keys.
const nested = await fetch(`${BASE}/v1/blog`, {
  method: "POST",
  headers: { "dma-api-key": KEY, "Content-Type": "application/json" },
  body: JSON.stringify({ title: { text: "From the tutorial" } }),
});
const nestedBytes = Buffer.from(await nested.arrayBuffer());
const viaGet = await fetch(`${BASE}/v1/blog?dma-api-key=${KEY}&title.text=From%20the%20tutorial`);
const getBytes = Buffer.from(await viaGet.arrayBuffer());
seen.same = nested.status === 200 && viaGet.status === 200 && okBytes.equals(nestedBytes) && okBytes.equals(getBytes);
console.log(JSON.stringify(seen));
