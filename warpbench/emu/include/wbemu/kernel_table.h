/* Support for the kernel table the emulator appends to every module: an entry per kernel
 * with its name, its parameters' C types (checked against the arguments in Python) and a
 * thunk that unpacks a cudaLaunchKernel-style void** argument array. */
#ifndef WBEMU_KERNEL_TABLE_H
#define WBEMU_KERNEL_TABLE_H

namespace wbemu {

template <class T, class = void>
struct type_name {
    static std::string get() { return "struct[" + std::to_string(sizeof(T)) + "]"; }
};

template <class T>
struct type_name<T, std::enable_if_t<std::is_enum<T>::value>> : type_name<std::underlying_type_t<T>> {};

template <class T> struct type_name<const T> { static std::string get() { return "const " + type_name<T>::get(); } };
template <class T> struct type_name<volatile T> { static std::string get() { return "volatile " + type_name<T>::get(); } };
template <class T> struct type_name<const volatile T> {
    static std::string get() { return "const volatile " + type_name<T>::get(); }
};
template <class T> struct type_name<T*> { static std::string get() { return type_name<T>::get() + "*"; } };

#define WBEMU_TYPE_NAME(T) \
    template <> struct type_name<T> { static std::string get() { return #T; } };
WBEMU_TYPE_NAME(void)
WBEMU_TYPE_NAME(bool)
WBEMU_TYPE_NAME(char)
WBEMU_TYPE_NAME(signed char)
WBEMU_TYPE_NAME(unsigned char)
WBEMU_TYPE_NAME(short)
WBEMU_TYPE_NAME(unsigned short)
WBEMU_TYPE_NAME(int)
WBEMU_TYPE_NAME(unsigned int)
WBEMU_TYPE_NAME(long)
WBEMU_TYPE_NAME(unsigned long)
WBEMU_TYPE_NAME(long long)
WBEMU_TYPE_NAME(unsigned long long)
WBEMU_TYPE_NAME(float)
WBEMU_TYPE_NAME(double)
/* CUDA 13 deprecates the 4-wide 64-bit vectors; naming them is still needed here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#define WBEMU_VECTOR_NAMES(base) \
    WBEMU_TYPE_NAME(base##1) WBEMU_TYPE_NAME(base##2) WBEMU_TYPE_NAME(base##3) WBEMU_TYPE_NAME(base##4)
WBEMU_VECTOR_NAMES(char)
WBEMU_VECTOR_NAMES(uchar)
WBEMU_VECTOR_NAMES(short)
WBEMU_VECTOR_NAMES(ushort)
WBEMU_VECTOR_NAMES(int)
WBEMU_VECTOR_NAMES(uint)
WBEMU_VECTOR_NAMES(long)
WBEMU_VECTOR_NAMES(ulong)
WBEMU_VECTOR_NAMES(longlong)
WBEMU_VECTOR_NAMES(ulonglong)
WBEMU_VECTOR_NAMES(float)
WBEMU_VECTOR_NAMES(double)
#undef WBEMU_VECTOR_NAMES
#pragma GCC diagnostic pop
#ifdef WBEMU_HAVE_TOOLKIT
WBEMU_TYPE_NAME(__half)
WBEMU_TYPE_NAME(__half2)
#endif
#ifdef WBEMU_HAVE_BF16
WBEMU_TYPE_NAME(__nv_bfloat16)
WBEMU_TYPE_NAME(__nv_bfloat162)
#endif
#undef WBEMU_TYPE_NAME

template <class F> struct kernel_traits;

template <class... P>
struct kernel_traits<void (*)(P...)> {
    template <void (*K)(P...), std::size_t... I>
    static void call(void** args, std::index_sequence<I...>) {
        K(*static_cast<std::remove_cv_t<P>*>(args[I])...);
    }

    template <void (*K)(P...)>
    static void thunk(void** args) {
        call<K>(args, std::index_sequence_for<P...>{});
    }

    static std::string signature() {
        std::string text;
        ((text += type_name<P>::get(), text += ';'), ...);
        if (!text.empty()) text.pop_back();
        return text;
    }
};

template <auto K>
inline wbemu_kernel kernel_entry(const char* name) {
    using traits = kernel_traits<decltype(K)>;
    static const std::string signature = traits::signature();
    return wbemu_kernel{name, signature.c_str(), &traits::template thunk<K>, reinterpret_cast<const void*>(K)};
}

}  // namespace wbemu

#endif
