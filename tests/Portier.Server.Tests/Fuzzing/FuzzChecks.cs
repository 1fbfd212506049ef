using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>The rules every fuzz target checks: no server error, and no door opened.</summary>
public static class FuzzChecks
{
    /// <summary>Sends one case and answers its status code as text; a 5xx breaks the rule.</summary>
    public static async Task<string> AnsweredWithoutServerErrorAsync(FuzzRun run, Func<Task<HttpResponseMessage>> send, string input)
    {
        using var response = await send();
        if ((int)response.StatusCode >= 500) run.Fail($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", input);
        return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Granted attempts recorded for a site: a fuzz run must leave none.</summary>
    public static async Task<int> GrantsAsync(PortierServer server, Guid siteId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        return await db.Set<AccessEvent>().IgnoreQueryFilters().CountAsync(e => e.SiteId == siteId && e.Allowed, TestContext.Current.CancellationToken);
    }

    public static bool IsServerError(HttpStatusCode status) => (int)status >= 500;
}
