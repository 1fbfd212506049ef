using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Persistence;

/// <summary>
/// The definition caches rebuild from exactly the entities that carry their markers: every table the
/// policy loader and the door directory read belongs to a marked entity type, and the interceptor marks
/// a cache stale for a marked entity's definition change, never for a live fact alone.
/// </summary>
public sealed class DefinitionMarkerTests
{
    [Fact]
    public async Task PolicyLoader_ReadsOnlyTablesOfPolicyDefinitions()
    {
        var read = await TablesReadAsync(async services =>
        {
            using var scope = services.CreateScope();
            await PolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), TestContext.Current.CancellationToken);
        });
        AssertAllMarked(read, typeof(IPolicyDefinition));
    }

    [Fact]
    public async Task DoorDirectory_ReadsOnlyTablesOfDoorDirectoryDefinitions()
    {
        var read = await TablesReadAsync(async services =>
        {
            var directory = services.GetRequiredService<DoorDirectory>();
            directory.MarkChanged();
            await directory.GetAsync(TestContext.Current.CancellationToken);
        });
        AssertAllMarked(read, typeof(IDoorDirectoryDefinition));
    }

    [Fact]
    public async Task Interceptor_MarkedEntity_MarksOnDefinitionChangeOnly_AndAfterCommit()
    {
        var cache = new CountingCache(typeof(IPolicyDefinition));
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<SqlitePortierDbContext>().UseSqlite(connection)
            .AddInterceptors(new DefinitionChangeInterceptor([cache])).Options;
        await using var db = new SqlitePortierDbContext(options);
        await db.Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;

        var site = new Site { Name = "Marked", TimeZone = "UTC" };
        var zone = new Zone { SiteId = site.Id, Name = "Lobby", Slug = "lobby" };
        db.AddRange(site, zone);
        await db.SaveChangesAsync(ct);
        Assert.Equal(1, cache.Marks);

        zone.CurrentCount = 5;
        await db.SaveChangesAsync(ct);
        Assert.Equal(1, cache.Marks);

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            zone.Name = "Hall";
            await db.SaveChangesAsync(ct);
            Assert.Equal(1, cache.Marks);
            await transaction.CommitAsync(ct);
        }
        Assert.Equal(2, cache.Marks);
    }

    private sealed class CountingCache(Type marker) : IDefinitionCache
    {
        public int Marks { get; private set; }
        public string Name => "counting";
        public Type DefinitionMarker => marker;
        public void MarkChanged() => Marks++;
    }

    private static void AssertAllMarked(IReadOnlyCollection<Type> read, Type marker)
    {
        Assert.NotEmpty(read);
        Assert.All(read, type => Assert.True(marker.IsAssignableFrom(type), $"{type.Name} is read but does not carry {marker.Name}."));
    }

    /// <summary>The entity types whose tables <paramref name="load"/> queried, seen by a command interceptor on a server of its own.</summary>
    private static async Task<IReadOnlyCollection<Type>> TablesReadAsync(Func<IServiceProvider, Task> load)
    {
        var recorder = new CommandRecorder();
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var server = new PortierServer(database, builder => builder.ConfigureServices(s => s.AddSingleton<IInterceptor>(recorder)));
        _ = server.Services;
        using var scope = server.Services.CreateScope();
        var model = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Model;
        recorder.Recording.Value = true;
        await load(server.Services);
        recorder.Recording.Value = false;
        return [.. model.GetEntityTypes()
            .Where(t => t.GetTableName() is { } table && recorder.Commands.Any(sql => sql.Contains("\"" + table + "\"", StringComparison.Ordinal)))
            .Select(t => t.ClrType)];
    }

    private sealed class CommandRecorder : DbCommandInterceptor
    {
        public AsyncLocal<bool> Recording { get; } = new();
        public System.Collections.Concurrent.ConcurrentBag<string> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Recording.Value) Commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
