using AtymSecure.OtaStore.LiteDb;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.LiteDb;

public class OtaDatabaseTests
{
    [Fact]
    public void A_second_process_on_the_same_folder_is_refused_with_the_folder_named()
    {
        using var folder = TempFolder.Create("ota-db");
        using var first = new OtaDatabase(folder.Path);
        var e = Assert.Throws<IOException>(() => new OtaDatabase(folder.Path));
        Assert.Contains(folder.Path, e.Message, StringComparison.Ordinal);
    }

    /// <summary>No public member of the store assembly mentions a LiteDB type (issue 12: no LiteDB type leaks out).</summary>
    [Fact]
    public void No_public_signature_of_the_store_names_a_LiteDB_type()
    {
        var leaks = typeof(OtaDatabase).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
                .SelectMany(m => TypesOf(m).Select(used => (Member: $"{t.Name}.{m.Name}", used))))
            .Where(x => x.used.Assembly.GetName().Name == "LiteDB")
            .Select(x => x.Member)
            .ToList();
        Assert.Empty(leaks);
    }

    private static IEnumerable<Type> TypesOf(System.Reflection.MemberInfo member) => member switch
    {
        System.Reflection.MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
        System.Reflection.PropertyInfo p => [p.PropertyType],
        System.Reflection.FieldInfo f => [f.FieldType],
        System.Reflection.ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        _ => [],
    };
}
