// What a web or mobile app does with the types openapi-typescript generates from
// GET /openapi.json: calls GET /v1/users/me through openapi-fetch. `tsc` checks it against
// the generated types, so a field the document drops or renames fails the build.
import createClient from "openapi-fetch";
import type { paths } from "./build/schema.js";

const [baseUrl, token] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
const { data, error, response } = await client.GET("/v1/users/me");
if (data === undefined) {
  console.error(response.status, JSON.stringify(error));
  process.exit(1);
}
const email: string = data.email;
const roles: string[] = data.roles;
console.log(JSON.stringify({ status: response.status, email, roles }));
