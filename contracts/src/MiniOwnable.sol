// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// Single-owner access with the public interface of OpenZeppelin's Ownable
/// (owner, transferOwnership, renounceOwnership, OwnershipTransferred).
abstract contract MiniOwnable {
    address private _owner;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address account);

    constructor(address initialOwner) {
        _transfer(initialOwner);
    }

    modifier onlyOwner() {
        if (msg.sender != _owner) revert NotOwner(msg.sender);
        _;
    }

    function owner() public view returns (address) {
        return _owner;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "zero owner");
        _transfer(newOwner);
    }

    function renounceOwnership() external onlyOwner {
        _transfer(address(0));
    }

    function _transfer(address newOwner) internal {
        emit OwnershipTransferred(_owner, newOwner);
        _owner = newOwner;
    }
}
