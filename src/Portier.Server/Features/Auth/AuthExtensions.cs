using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Redis;

namespace Portier.Server.Features.Auth;

public static class AuthExtensions
{
    public const string LoginRateLimit = "login";

    public static IServiceCollection AddPortierAuth(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddScoped<ISiteAccess>(sp => new RequestSiteAccess(sp.GetRequiredService<IHttpContextAccessor>(), sp));
        services.AddSingleton<SetupCode>();
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPasswordHasher<AdminAccount>, PasswordHasher<AdminAccount>>();
        services.AddScoped<SignInLockout>();
        services.AddScoped<AdminSignIn>();
        services.AddSingleton<AccessRevocations>();
        services.AddSingleton<PrincipalCache>();
        services.AddSingleton<IDefinitionCache>(sp => sp.GetRequiredService<PrincipalCache>());
        services.AddAuthentication(ConsoleAuthentication.SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddConsoleCookie();
        services.AddAuthorization(o => o.AddPermissionPolicies());
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => new ValueTask(Problems.Make(429, "too_many_attempts", "Too many attempts; wait a minute.").ExecuteAsync(context.HttpContext));
            o.AddPolicy(LoginRateLimit, http => SharedRateLimits.FixedWindow(http, LoginRateLimit,
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                http.RequestServices.GetRequiredService<IConfiguration>().GetValue("Auth:SignInAttemptsPerMinute", 10),
                TimeSpan.FromMinutes(1)));
        });
        return services;
    }
}
