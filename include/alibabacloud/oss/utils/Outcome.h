// Outcome.h: either the result of a call or its error.
#pragma once

#include <utility>

namespace AlibabaCloud
{
namespace OSS
{
    /// Holds the result `R` of a successful call or the error `E` of a failed one.
    template <typename E, typename R>
    class Outcome
    {
    public:
        /// A success with a default result.
        Outcome() : success_(true) {}
        /// A failure.
        explicit Outcome(const E& e) : e_(e), success_(false) {}
        /// A success.
        explicit Outcome(const R& r) : r_(r), success_(true) {}
        /// A failure.
        explicit Outcome(E&& e) : e_(std::move(e)), success_(false) {}
        /// A success.
        explicit Outcome(R&& r) : r_(std::move(r)), success_(true) {}

        /// True when the call succeeded and result() is meaningful.
        bool isSuccess() const { return success_; }
        /// The error of a failed call.
        const E& error() const { return e_; }
        /// The error of a failed call.
        E& error() { return e_; }
        /// The result of a successful call.
        const R& result() const { return r_; }
        /// The result of a successful call.
        R& result() { return r_; }

    private:
        E e_;
        R r_;
        bool success_;
    };
}
}
