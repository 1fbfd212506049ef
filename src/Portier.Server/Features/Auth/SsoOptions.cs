using System.Text.RegularExpressions;

namespace Portier.Server.Features.Auth;

/// <summary>
/// One OpenID Connect provider admins may sign in with, from <c>Sso:Providers:&lt;name&gt;</c>.
/// The client secret comes from configuration or the environment and is never logged or shown.
/// </summary>
public sealed class SsoProviderOptions
{
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string? ClientSecret { get; set; }
    /// <summary>Asked for besides <c>openid</c>; default <c>profile email</c>.</summary>
    public List<string> Scopes { get; set; } = [];
    /// <summary>The button text: "Sign in with …"; default the provider's name.</summary>
    public string? DisplayName { get; set; }
    /// <summary>The id token claim holding the user's groups or roles (such as <c>groups</c> or <c>roles</c>); none: no role mapping.</summary>
    public string? RoleClaim { get; set; }
    /// <summary>A value of <see cref="RoleClaim"/> → the name of the Portier role it gives.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Whether a verified email with no admin yet, whose claims map to a role, creates the admin (SSO only).</summary>
    public bool CreateAdmins { get; set; } = true;
    /// <summary>Off only for a provider on plain http (a test or lab provider on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>A configured provider as the sign-in page and the callback know it.</summary>
public sealed record SsoProvider(string Name, string DisplayName, SsoProviderOptions Options)
{
    public const string SchemePrefix = "sso-";

    public string Scheme => SchemePrefix + Name;

    /// <summary>Where the provider sends the browser back: register this redirect URI at the provider.</summary>
    public string CallbackPath => "/signin-oidc-" + Name;

    public string ChallengePath => "/console/sso/" + Name;
}

/// <summary>The providers configured under <c>Sso:Providers</c>, read and checked once at start.</summary>
public sealed partial class SsoProviders(IReadOnlyList<SsoProvider> all)
{
    public const string Section = "Sso:Providers";

    public IReadOnlyList<SsoProvider> All { get; } = all;

    public bool Any => All.Count > 0;

    public SsoProvider? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    public SsoProvider? ForScheme(string scheme) => All.FirstOrDefault(p => p.Scheme == scheme);

    /// <summary>Reads the section; a provider without an authority or client id, or with a name unfit for a URL, stops the start.</summary>
    public static SsoProviders Read(IConfiguration configuration)
    {
        var providers = new List<SsoProvider>();
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var options = section.Get<SsoProviderOptions>() ?? new SsoProviderOptions();
            var problems = new List<string>();
            if (!NamePattern().IsMatch(section.Key)) problems.Add("the name must be lower-case letters, digits and dashes");
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out _)) problems.Add("Authority must be an absolute URL");
            if (string.IsNullOrWhiteSpace(options.ClientId)) problems.Add("ClientId is required");
            if (options.RoleMap.Count > 0 && string.IsNullOrWhiteSpace(options.RoleClaim)) problems.Add("RoleMap needs RoleClaim");
            if (problems.Count > 0)
                throw new InvalidOperationException($"{Section}:{section.Key}: {string.Join("; ", problems)}.");
            providers.Add(new SsoProvider(section.Key, string.IsNullOrWhiteSpace(options.DisplayName) ? section.Key : options.DisplayName.Trim(), options));
        }
        return new SsoProviders(providers);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}
