using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// Edited JSON bodies for every endpoint of the API that takes one, found in the server's own OpenAPI
/// document: a body built from the endpoint's schema (ids pointing at a real site), then one value
/// replaced by something out of range or of the wrong kind, or its text edited byte by byte. The
/// answer is a 2xx or a 4xx problem, never a server error.
/// </summary>
public abstract class JsonBodyFuzzTests(PortierServer server)
{
    /// <summary>Endpoints that would end the fuzzing admin's own access or reset the server, not parse a body differently.</summary>
    private static readonly string[] Skipped = ["/auth/", "/demo", "logout", "sign-out"];

    private sealed record Endpoint(string Method, string Path, JsonObject Schema);

    [Fact]
    public async Task EditedBodies_OnEveryEndpoint_AreAnsweredWithoutServerErrors()
    {
        var admin = server.Admin();
        var siteId = await admin.CreateSiteAsync("JSON fuzz");
        var document = JsonNode.Parse(await admin.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!.AsObject();
        var endpoints = EndpointsIn(document);
        Assert.True(endpoints.Length > 30, $"only {endpoints.Length} endpoints with a JSON body in the OpenAPI document");

        var ids = Gen.Elements(siteId.ToString(), Guid.NewGuid().ToString(), "x", "00000000-0000-0000-0000-000000000000");
        var cases =
            from endpoint in Gen.Elements(endpoints)
            from id in ids
            from body in JsonEdits.Around(Sample(document, endpoint.Schema, siteId, 0)!)
            select (endpoint, Path: System.Text.RegularExpressions.Regex.Replace(endpoint.Path, "{[^}]+}", id), body);
        var run = new FuzzRun($"json bodies ({server.Kind}, {endpoints.Length} endpoints)");

        await run.RunAsync(Edits.Draw(cases, run.Cases, run.Seed), parallel: 4, item =>
            FuzzChecks.AnsweredWithoutServerErrorAsync(run,
                () => admin.SendAsync(new HttpRequestMessage(new HttpMethod(item.endpoint.Method), item.Path) { Content = new ByteArrayContent(item.body) { Headers = { ContentType = new("application/json") } } }),
                $"{item.endpoint.Method} {item.Path} {Encoding.UTF8.GetString(item.body)}"));

        run.AssertClean();
    }

    private static Endpoint[] EndpointsIn(JsonObject document) =>
    [
        .. from path in document["paths"]!.AsObject()
           where !Skipped.Any(s => path.Key.Contains(s, StringComparison.Ordinal))
           from operation in path.Value!.AsObject()
           where operation.Key is "post" or "put" or "patch"
           let schema = operation.Value?["requestBody"]?["content"]?["application/json"]?["schema"] as JsonObject
           where schema is not null
           select new Endpoint(operation.Key.ToUpperInvariant(), path.Key, schema),
    ];

    /// <summary>A body the schema describes: every property, ids of the fuzz site, plausible values.</summary>
    private static JsonNode? Sample(JsonObject document, JsonObject schema, Guid siteId, int depth)
    {
        if (depth > 6) return null;
        if (schema["$ref"]?.GetValue<string>() is { } reference)
            return Sample(document, (JsonObject)document["components"]!["schemas"]![reference.Split('/')[^1]]!, siteId, depth + 1);
        if ((schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"]) is JsonArray choices)
            return choices.OfType<JsonObject>().Select(c => Sample(document, c, siteId, depth + 1)).FirstOrDefault(n => n is not null);
        if (schema["enum"] is JsonArray values && values.Count > 0) return values[0]?.DeepClone();
        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue single => single.GetValue<string>(),
            _ => schema["properties"] is not null ? "object" : null,
        };
        return type switch
        {
            "object" => new JsonObject((schema["properties"]?.AsObject() ?? [])
                .Select(p => KeyValuePair.Create(p.Key, p.Value is JsonObject property ? Sample(document, property, siteId, depth + 1) : null))),
            "array" => schema["items"] is JsonObject items ? new JsonArray(Sample(document, items, siteId, depth + 1)) : new JsonArray(),
            "integer" => JsonValue.Create(1),
            "number" => JsonValue.Create(1.5),
            "boolean" => JsonValue.Create(true),
            "string" => (schema["format"]?.GetValue<string>()) switch
            {
                "uuid" => JsonValue.Create(siteId),
                "date-time" => JsonValue.Create("2026-03-02T09:00:00Z"),
                "date" => JsonValue.Create("2026-03-02"),
                _ => JsonValue.Create("Harbor 1"),
            },
            _ => null,
        };
    }
}

public sealed class JsonBodyFuzzSqliteTests(SqliteServerFixture fixture) : JsonBodyFuzzTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class JsonBodyFuzzPostgresTests(PostgresServerFixture fixture) : JsonBodyFuzzTests(fixture.Server), IClassFixture<PostgresServerFixture>;
