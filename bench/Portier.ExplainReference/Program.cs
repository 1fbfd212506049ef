using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Core.Policy;
using Portier.Server.Features.Decisions;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

// The bare reference for `bench/http-load.sh`: a minimal API answering POST /api/v1/decisions/explain for a
// person at a door with the same decision the server makes, from the same definitions. The definitions are read
// once at start from a copy of the server's SQLite file and compiled with the same PolicySnapshot.Compile; each
// request then only parses, decides (DecisionEngine.Explain) and writes the same response shape. No
// authentication, no database, no middleware: what the web stack alone costs around the decision.
//
//   Portier.ExplainReference --database PATH --urls http://127.0.0.1:PORT
var at = Array.IndexOf(args, "--database");
var database = at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException("--database PATH (a copy of the server's SQLite file) is required");

PolicySnapshot snapshot;
await using (var db = new SqlitePortierDbContext(new DbContextOptionsBuilder<SqlitePortierDbContext>().UseSqlite($"Data Source={database}").Options))
    snapshot = PolicySnapshot.Compile(await PolicyDefinitionsLoader.LoadAsync(db, CancellationToken.None));

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => HttpExtensions.ConfigureJson(o.SerializerOptions));
var app = builder.Build();
var clock = TimeProvider.System;

app.MapPost("/api/v1/decisions/explain", (ExplainRequest request) =>
{
    if (request.PersonId is not { } personId) return Results.BadRequest();
    var now = request.At is { } when ? NodaTime.Instant.FromDateTimeOffset(when) : NodaTime.Instant.FromDateTimeOffset(clock.GetUtcNow());
    // The controller counts as online, as on the server whose simulated controllers heartbeat.
    var explanation = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(personId, request.DoorId, now), new LiveFacts(0, now));
    return TypedResults.Ok(ExplainResponse.From(explanation, now.ToDateTimeOffset()));
});
app.MapGet("/health/ready", () => "ready");
Console.WriteLine($"explain reference: {snapshot.PersonCount} people compiled");
await app.RunAsync();
