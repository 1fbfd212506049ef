using System.Data.Common;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Decisions;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>Counts the database commands run on behalf of one API path (background work is not counted).</summary>
public sealed class PathCommandCounter(string path) : DbCommandInterceptor
{
    private static readonly HttpContextAccessor Http = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    private void Seen()
    {
        if (Http.HttpContext?.Request.Path == path) Interlocked.Increment(ref _count);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Seen();
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Seen();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Seen();
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Seen();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Seen();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Seen();
        return ValueTask.FromResult(result);
    }
}

public abstract class ExplainCountingFixture(DatabaseKind kind) : ServerFixture(kind)
{
    public PathCommandCounter Explains { get; } = new("/api/v1/decisions/explain");

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IInterceptor>(Explains));
}

public sealed class SqliteExplainCountingFixture() : ExplainCountingFixture(DatabaseKind.Sqlite);

public sealed class PostgresExplainCountingFixture() : ExplainCountingFixture(DatabaseKind.Postgres);

/// <summary>
/// An explanation whose answer the policy snapshot and door directory hold runs no database command at
/// all, authentication included; and its JSON is the same with the generated serializers as with reflection.
/// </summary>
public abstract class ExplainHotPathTests(ExplainCountingFixture fixture)
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task Explain_PersonAtADoorWithoutZone_RunsNoDatabaseCommand()
    {
        var admin = _server.Admin();
        var site = await admin.CreateSiteAsync("Hot path");
        var door = await admin.CreateDoorAsync(site, "Plain door");
        var person = await admin.CreatePersonAsync(site, personType: "Member", membershipStatus: "Current");
        var body = new { doorId = door, personId = person };
        var first = await (await admin.PostJsonAsync("/api/v1/decisions/explain", body)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(fixture.Explains.Count > 0, "the first explanation reads the token and builds what it needs");

        fixture.Explains.Reset();
        for (var i = 0; i < 3; i++)
        {
            var again = await (await admin.PostJsonAsync("/api/v1/decisions/explain", body)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(first.GetProperty("reason").GetString(), again.GetProperty("reason").GetString());
        }

        Assert.Equal(0, fixture.Explains.Count);
    }

    [Fact]
    public async Task Explain_DoorOrPersonOfAnotherSite_Answers404LikeAMissingOne()
    {
        var admin = _server.Admin();
        var visible = await admin.CreateSiteAsync("Visible");
        var hidden = await admin.CreateSiteAsync("Hidden");
        var visibleDoor = await admin.CreateDoorAsync(visible, "Visible door");
        var hiddenDoor = await admin.CreateDoorAsync(hidden, "Hidden door");
        var hiddenPerson = await admin.CreatePersonAsync(hidden, personType: "Member", membershipStatus: "Current");
        var limited = _server.WithToken(await admin.CreateTokenAsync(["decisions:explain"], [visible]));

        await (await limited.PostJsonAsync("/api/v1/decisions/explain", new { doorId = hiddenDoor, personId = hiddenPerson }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/decisions/explain", new { doorId = visibleDoor, personId = hiddenPerson }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/decisions/explain", new { doorId = Guid.NewGuid(), personId = hiddenPerson }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public void GeneratedSerializers_WriteAndReadTheSameJsonAsReflection()
    {
        var api = _server.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        // The API's options as they were before the generated serializers: the same settings, reflection only.
        var reflection = new JsonSerializerOptions(api) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var response = new ExplainResponse(false, "outside_access_hours", "rules", false, new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(1)),
            [new CheckResponse("authorization", "failed", "outside_access_hours", "Outside the door's hours")]);
        const string request = """{"doorId":"0192b6a0-0000-7000-8000-000000000001","credential":{"kind":"card","value":"04A1"},"at":"2026-03-02T09:00:00+01:00"}""";

        Assert.Same(DecisionsJsonContext.Default, api.TypeInfoResolverChain[0]);
        Assert.Equal(JsonSerializer.Serialize(response, reflection), JsonSerializer.Serialize(response, api));
        Assert.Equal(JsonSerializer.Deserialize<ExplainRequest>(request, reflection), JsonSerializer.Deserialize<ExplainRequest>(request, api));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ExplainRequest>("""{"doorId":"0192b6a0-0000-7000-8000-000000000001","unknown":1}""", api));
    }
}

public sealed class ExplainHotPathSqliteTests(SqliteExplainCountingFixture fixture) : ExplainHotPathTests(fixture), IClassFixture<SqliteExplainCountingFixture>;

public sealed class ExplainHotPathPostgresTests(PostgresExplainCountingFixture fixture) : ExplainHotPathTests(fixture), IClassFixture<PostgresExplainCountingFixture>;
