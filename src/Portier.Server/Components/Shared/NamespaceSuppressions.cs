using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace",
    Target = "~N:Portier.Server.Components.Shared", Justification = "Blazor's conventional folder for shared components; never consumed from VB.")]
