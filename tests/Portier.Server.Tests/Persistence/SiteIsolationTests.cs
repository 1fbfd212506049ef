using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Persistence;

/// <summary>
/// Site isolation holds for every site-owned entity type of the model and every GET endpoint: a row of
/// each type is written for two sites, and a token limited to the first site calls every list, lookup
/// and export route (from the endpoint data source) without ever receiving an id of the second site.
/// </summary>
public sealed class SiteIsolationTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task SiteLimitedToken_EveryGetEndpoint_NeverAnswersAnotherSitesRows()
    {
        var admin = _server.Admin();
        var mine = await admin.CreateSiteAsync("Visible site");
        var other = await admin.CreateSiteAsync("Hidden site");
        await SeedEveryTypeAsync(mine);
        var hidden = await SeedEveryTypeAsync(other);
        hidden.Add(other);
        var limited = _server.WithToken(await admin.CreateTokenAsync([.. Permissions.All], [mine]));

        var leaks = new List<string>();
        var calls = 0;
        foreach (var url in GetUrls(hidden, other))
        {
            calls++;
            var body = await BodyAsync(limited, url);
            leaks.AddRange(hidden.Where(id => body.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)).Select(id => $"{url} answered {id}"));
        }

        Assert.True(calls > 50, $"Only {calls} GET calls were made: the endpoint enumeration found too few routes.");
        Assert.Empty(leaks);
    }

    [Fact]
    public async Task SiteFilter_CoversEverySiteOwnedType_AndHidesTheOtherSitesRows()
    {
        var admin = _server.Admin();
        var mine = await admin.CreateSiteAsync("Filter visible");
        var other = await admin.CreateSiteAsync("Filter hidden");
        await SeedEveryTypeAsync(mine);
        await SeedEveryTypeAsync(other);

        using var scope = _server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var types = SiteFilter.SiteOwnedTypes(db.Model).ToList();
        Assert.Contains(types, t => t.Type.ClrType.Name == "Door");
        Assert.Contains(types, t => t.Type.ClrType.Name == "AccessEvent");
        Assert.Contains(types, t => t.Type.ClrType.Name == "Site");
        foreach (var (type, _) in types) Assert.NotEmpty(type.GetDeclaredQueryFilters());

        db.SiteAccess = new Sites([mine]);
        foreach (var (type, siteProperty) in types)
        {
            var sites = await SitesOfAsync(db, type.ClrType, siteProperty);
            Assert.True(sites.Contains(mine), $"{type.ClrType.Name}: the visible site's row is missing.");
            Assert.False(sites.Contains(other), $"{type.ClrType.Name}: the hidden site's row is visible.");
        }
    }

    private sealed record Sites(IReadOnlyList<Guid>? VisibleSites) : ISiteAccess;

    private static async Task<HashSet<Guid>> SitesOfAsync(PortierDbContext db, Type clrType, string siteProperty)
    {
        var query = (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(clrType).Invoke(db, null)!;
        var rows = await query.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        return [.. rows.Select(r => clrType.GetProperty(siteProperty)!.GetValue(r) as Guid?).OfType<Guid>()];
    }

    /// <summary>
    /// One row of every site-owned entity type for <paramref name="siteId"/> (beyond the site itself),
    /// made from the model: mapped values get a unique placeholder, foreign keys are left unchecked.
    /// Returns the ids written.
    /// </summary>
    private async Task<List<Guid>> SeedEveryTypeAsync(Guid siteId)
    {
        using var scope = _server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var ids = new List<Guid>();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF", TestContext.Current.CancellationToken);
        try
        {
            foreach (var type in SiteFilter.SiteOwnedTypes(db.Model).Where(t => t.SiteProperty == SiteFilter.SiteIdProperty).Select(t => (IEntityType)t.Type))
            {
                var row = type.ClrType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is not null
                    ? Activator.CreateInstance(type.ClrType, nonPublic: true)!
                    : System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type.ClrType);
                foreach (var property in type.GetProperties()) Fill(row, property, siteId);
                db.Add(row);
                if (type.FindPrimaryKey()?.Properties is [{ ClrType: var keyType } key] && keyType == typeof(Guid))
                    ids.Add((Guid)key.GetGetter().GetClrValueUsingContainingEntity(row)!);
            }
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = ON", TestContext.Current.CancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        return ids;
    }

    private static void Fill(object row, IProperty property, Guid siteId)
    {
        var getter = property.GetGetter();
        var current = getter.GetClrValueUsingContainingEntity(row);
        object? value = property.Name == SiteFilter.SiteIdProperty ? siteId
            : property.IsPrimaryKey() && property.ClrType == typeof(Guid) ? Guid.NewGuid()
            : property.ClrType == typeof(Guid) && (Guid)current! == Guid.Empty ? Guid.NewGuid()
            : property.ClrType == typeof(string) && current is null && !property.IsNullable ? Placeholder(property.GetMaxLength())
            : current is null && !property.IsNullable && property.ClrType.GetConstructor(Type.EmptyTypes) is { } make ? make.Invoke(null)
            : current is null && !property.IsNullable && property.ClrType.IsArray ? Array.CreateInstance(property.ClrType.GetElementType()!, 0)
            : current;
        if (!Equals(value, current)) Set(row, property, value);
    }

    private static void Set(object row, IProperty property, object? value)
    {
        if (property.PropertyInfo is { } info && info.GetSetMethod(nonPublic: true) is { } setter) setter.Invoke(row, [value]);
        else if (property.FieldInfo is { } field) field.SetValue(row, value);
        else throw new InvalidOperationException($"{property.DeclaringType.DisplayName()}.{property.Name} cannot be set.");
    }

    private static string Placeholder(int? maxLength)
    {
        var text = "p" + Guid.NewGuid().ToString("N");
        return maxLength is { } max && max < text.Length ? text[..max] : text;
    }

    /// <summary>Every GET route under /api, with each route parameter given each hidden id, and each list asked for the hidden site.</summary>
    private IEnumerable<string> GetUrls(IReadOnlyList<Guid> hidden, Guid hiddenSite)
    {
        var endpoints = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern)
            .Where(p => p.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true || p.RawText?.StartsWith("api/", StringComparison.Ordinal) == true)
            .ToList();
        foreach (var pattern in endpoints)
        {
            var raw = "/" + pattern.RawText!.TrimStart('/');
            if (pattern.Parameters.Count == 0)
            {
                yield return raw;
                yield return raw + "?siteId=" + hiddenSite;
                continue;
            }
            foreach (var id in hidden)
            {
                var url = raw;
                foreach (var parameter in pattern.Parameters)
                    url = System.Text.RegularExpressions.Regex.Replace(url, @"\{\*?" + parameter.Name + @"(:[^}]*)?\??\}", id.ToString());
                yield return url;
            }
        }
    }

    private static async Task<string> BodyAsync(HttpClient client, string url)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        // A live stream never ends; its subscription is checked by the live-event tests.
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream") return "";
        return await response.Content.ReadAsStringAsync(timeout.Token);
    }
}
